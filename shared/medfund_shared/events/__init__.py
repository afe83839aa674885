"""Events: the CloudEvents envelope, typed payload models, and the type registry."""
