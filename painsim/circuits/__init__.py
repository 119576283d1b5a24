"""brian2 circuits: the only package of painsim that creates brian2 objects."""
