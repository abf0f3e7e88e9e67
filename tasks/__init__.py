"""Built-in benchmarks, one package each. A package registers its tasks on import with
`harness.registry.register`; the registry imports every package here."""
