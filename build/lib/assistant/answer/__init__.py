"""Answer: where a question becomes an answer. `question` reads what is asked (places, years,
period, topic), `service` (the Assistant) retrieves per place and hands the passages to an
answerer (answerers/: extractive or LLM), `grounding` and `guard` check every figure against the
passage it cites; `batch` answers JSON lines; prompts/ holds the LLM prompt files."""
