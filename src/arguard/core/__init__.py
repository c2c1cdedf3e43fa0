"""Pure shared pieces: money, errors, dates. Nothing here touches a database, clock, network or file."""
