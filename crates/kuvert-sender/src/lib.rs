//! Sender toolkit (förmedlare): reachability, compose, sign, seal, deliver, paper mail
