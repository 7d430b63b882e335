//! Public portal: the three main messages, operator chooser, deep links, campaigns, statistics
