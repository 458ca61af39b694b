"""报告问答 (Report QA): cited, verbatim answers about Chinese government reports, fully offline.

The folders follow the data: ingest (files → reports) → index (passages, vectors, keywords) →
retrieve (hybrid search) → answer (question reading, answerers, grounding; `answer.service` is
the Assistant every front end asks) → evaluation beside it; cli and web on top. Language
knowledge lives in lang/; core types, errors and settings are the modules at this level.
"""
