//! Domain values of Mina meddelanden: identity numbers, the message model, limits
