"""Scale-out workers: the pipeline's stages as JetStream consumers
(``hubbub worker``), the lease that runs the sources once across the cluster,
and the idempotent store that makes at-least-once delivery exactly-once in
effect. See docs/deploy.md."""
