"""Exchange between platforms: city, provincial, sector and national socialcredit instances, each with its own
store and authorities, sharing records by verified feeds.

- :mod:`.config` — a platform's federation document: its id and jurisdiction, the channels it shares (record
  categories of the catalogue, and the receivers), the peers it pulls from;
- :mod:`.entries` — a shared record version as canonical bytes, with its origin (platform, authority, record id);
- :mod:`.feeds` — each channel an RFC 6962 tree built from the audit log: publish, head, entries, proofs;
- :mod:`.verification` — a pull checked against the head seen last (consistency proof and the leaves' hashes);
- :mod:`.receiving` — a verified pull written in one transaction; per-record outcomes;
- :mod:`.pulling` — one pull, quarantine of a forged feed, fork checks with fellow receivers, the links' status;
- :mod:`.http_source` and :mod:`.bundles` — the service interface and the file interface;
- :mod:`.service` — who may pull what, pulling every peer.

The package is a shell: it calls the store's transactions and the service's ingestion checks, and nothing in
the core imports it.
"""
