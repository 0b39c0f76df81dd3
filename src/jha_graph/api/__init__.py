"""The HTTP service: SPARQL 1.1 Protocol, JSON API, linked data, exports and HTML pages."""
