# The authoring fixture (catalog, image, document, clip) is shared by the review tests.
from tests.cms.test_course_authoring import authoring  # noqa: F401
