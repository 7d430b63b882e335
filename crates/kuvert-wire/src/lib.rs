//! Mina meddelanden v3 SOAP 1.1 envelopes and faults for every operation
