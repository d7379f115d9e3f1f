"""The SQL words the whole program agrees on (no sqlglot: the prefilter and the pre-pass read them)."""

# The statements the verifier knows (``parse.looks_like_sql``); text starting with one is SQL.
SQL_VERBS = ("select", "with", "insert", "update", "delete", "merge")
# Clause words: with a verb, what makes misspelt SQL recognisable (``SELEC id FROM t WHERE ...``).
CLAUSE_WORDS = ("from", "where", "into", "set", "values", "join", "returning")
