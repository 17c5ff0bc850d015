from wagtail import hooks

from media_pipeline.views import video_chooser_viewset, video_library_viewset


@hooks.register("register_admin_viewset")
def register_video_library():
    return video_library_viewset


@hooks.register("register_admin_viewset")
def register_video_chooser():
    return video_chooser_viewset
