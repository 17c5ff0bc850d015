from tests.support.assistant import offline_tutor, openai_server  # noqa: F401
