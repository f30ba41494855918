"""The resource plane's embedded default: the local cloud (moto's server) that holds every account's resources."""
