"""The bundled demo: a seeded, synthetic BTC and ETH market and the snapshot written from it."""
