"""The SPARQL service: protocol parsing, content negotiation, and a query executor that can kill runaways."""
