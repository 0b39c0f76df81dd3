"""One router per resource; ``ROUTERS`` lists the modules the app includes, in order."""

ROUTERS = [
    "api", "api_entities", "api_presidencies", "api_meetings", "api_documents", "api_articles", "api_timeline",
    "api_queries", "linked_data", "pages",
    "sparql", "gsp", "export", "ui",
    # "sparql", "export", "api", "linked_data", ...  (module names under this package, each with `router`)
]
