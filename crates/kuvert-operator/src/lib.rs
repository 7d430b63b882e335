//! Mailbox operator: intake of sealed deliveries, notifications, web inbox, settings, export
