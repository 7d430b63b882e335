//! Förmedlingsadressregistret (FaR): profiles, reception rules, senders, intermediaries, operators
