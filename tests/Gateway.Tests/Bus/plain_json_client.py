#!/usr/bin/python3
"""A system that does not speak MassTransit: it publishes one plain JSON AnnotateDocument command to Annotate and
prints the plain JSON event that answers it.

    python3 plain_json_client.py AMQP_URL COMMAND_FILE [TIMEOUT_SECONDS]

It declares the documented topic exchange annotate-events (durable), binds a queue of its own (exclusive, named by
the broker) to it with the routing keys DocumentAnnotated and DocumentAnnotationFailed, publishes the command from
COMMAND_FILE to the exchange annotate-requests, then waits for the event whose documentId is the command's. It prints
one line of JSON: {"routingKey", "contentType", "event"} and exits 0; exits 2 when no event came in time.
Needs Debian's python3-pika (apt-get install -y python3-pika).
"""
import json
import sys
import time

import pika


def main():
    url, command_file = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    with open(command_file, encoding="utf-8") as f:
        body = f.read()
    document_id = json.loads(body)["documentId"]

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.exchange_declare(exchange="annotate-events", exchange_type="topic", durable=True)
        queue = channel.queue_declare(queue="", exclusive=True).method.queue
        for routing_key in ("DocumentAnnotated", "DocumentAnnotationFailed"):
            channel.queue_bind(queue=queue, exchange="annotate-events", routing_key=routing_key)

        channel.basic_publish(
            exchange="annotate-requests",
            routing_key="",
            body=body.encode("utf-8"),
            properties=pika.BasicProperties(content_type="application/json", delivery_mode=2),
        )

        deadline = time.monotonic() + timeout
        for method, properties, payload in channel.consume(queue, inactivity_timeout=1):
            if method is not None:
                channel.basic_ack(method.delivery_tag)
                event = json.loads(payload)
                if event.get("documentId") == document_id:
                    print(json.dumps({
                        "routingKey": method.routing_key,
                        "contentType": properties.content_type,
                        "event": event,
                    }))
                    return 0
            if time.monotonic() > deadline:
                print(f"no event for {document_id} within {timeout} s", file=sys.stderr)
                return 2
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
