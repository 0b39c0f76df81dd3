"""One router per resource; ``ROUTERS`` lists the modules the app includes, in order."""

ROUTERS = [
    # "sparql", "export", "api", "linked_data", ...  (module names under this package, each with `router`)
]
