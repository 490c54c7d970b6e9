"""What every provider sandbox shares: app base, OAuth server, control plane, faults,
limits, clock, loopback server and in-process transport."""
