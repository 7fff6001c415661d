#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and NATS with JetStream (127.0.0.1:4222)
# are up, starting them with the machine's own commands if they are not.
set -u

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

if ! port_open 5432; then
  echo "PostgreSQL is down; starting it"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  wait_port 5432 || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
fi
echo "PostgreSQL: up on 127.0.0.1:5432"

if ! port_open 4222; then
  echo "NATS is down; starting it"
  if [ -x /usr/sbin/nats-server ]; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
      -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
  fi
  wait_port 4222 || { echo "NATS did not come up on 127.0.0.1:4222" >&2; exit 1; }
fi
echo "NATS: up on 127.0.0.1:4222"
