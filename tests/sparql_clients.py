"""Query a running rxgraph SPARQL endpoint with SPARQLWrapper and rdflib.

Usage: python tests/sparql_clients.py http://127.0.0.1:PORT/sparql

Run by tests/serve_http.rs against a server it starts. Each check parses the response with
the client library (JSON, XML, CSV, TSV results; Turtle and N-Triples graphs) and compares
values that the embedded Hetionet graph fixes. Exits non-zero at the first failed check.
"""

import csv
import io
import sys
import urllib.error

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

ASPIRIN = "https://identifiers.org/drugbank:DB00945"
INDICATIONS = f"""
PREFIX rx: <https://w3id.org/rxgraph/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?disease ?name WHERE {{ <{ASPIRIN}> rx:CtD ?disease . ?disease rdfs:label ?name }}
ORDER BY ?name
"""
EXPECTED_NAMES = ["Kawasaki disease", "coronary artery disease"]


def client(endpoint, query, fmt, method=None):
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    return sparql.query()


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def main(endpoint):
    results = client(endpoint, INDICATIONS, JSON).convert()
    names = [b["name"]["value"] for b in results["results"]["bindings"]]
    check(names == EXPECTED_NAMES, f"JSON names {names}")

    results = client(endpoint, INDICATIONS, JSON, POST).convert()
    names = [b["name"]["value"] for b in results["results"]["bindings"]]
    check(names == EXPECTED_NAMES, f"JSON names over POST {names}")

    document = client(endpoint, INDICATIONS, XML).convert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    check(literals == EXPECTED_NAMES, f"XML literals {literals}")

    rows = list(csv.reader(io.StringIO(client(endpoint, INDICATIONS, CSV).convert().decode())))
    check(rows[0] == ["disease", "name"], f"CSV header {rows[0]}")
    check([r[1] for r in rows[1:]] == EXPECTED_NAMES, f"CSV rows {rows[1:]}")

    lines = client(endpoint, INDICATIONS, TSV).convert().decode().splitlines()
    check(lines[0].split("\t") == ["?disease", "?name"], f"TSV header {lines[0]}")
    check([l.split("\t")[1] for l in lines[1:]] == [f'"{n}"' for n in EXPECTED_NAMES], f"TSV rows {lines[1:]}")

    ask = client(endpoint, f"ASK {{ <{ASPIRIN}> ?p ?o }}", JSON).convert()
    check(ask["boolean"] is True, f"ASK {ask}")

    construct = f"""
    PREFIX rx: <https://w3id.org/rxgraph/vocab#>
    CONSTRUCT {{ <{ASPIRIN}> rx:CtD ?d }} WHERE {{ <{ASPIRIN}> rx:CtD ?d }}
    """
    graph = client(endpoint, construct, TURTLE).convert()
    if isinstance(graph, bytes):
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    check(len(graph) == 2, f"CONSTRUCT as Turtle has {len(graph)} triples")

    graph = client(endpoint, f"DESCRIBE <{ASPIRIN}>", N3).convert()
    if isinstance(graph, bytes):
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    check(len(graph) >= 32, f"DESCRIBE has {len(graph)} triples")

    # rdflib's own SPARQL store talks to the endpoint as a remote SPARQL 1.1 service.
    store = SPARQLStore(endpoint)
    remote = rdflib.Graph(store)
    rows = list(remote.query(INDICATIONS))
    check([str(r.name) for r in rows] == EXPECTED_NAMES, f"rdflib SPARQLStore rows {rows}")

    try:
        client(endpoint, "SELECT WHERE {", JSON).convert()
        check(False, "a syntax error was accepted")
    except QueryBadFormed:
        pass

    try:
        update = SPARQLWrapper(endpoint)
        update.setMethod(POST)
        update.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        update.query()
        check(False, "an update was accepted by a read-only server")
    except urllib.error.HTTPError as error:
        check(error.code == 403, f"update status {error.code}")
    except Exception as error:  # SPARQLWrapper wraps some statuses in its own exceptions
        check("403" in str(error), f"update error {error!r}")

    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
