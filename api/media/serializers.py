from rest_framework import serializers

from media_pipeline.models import CaptionTrack, VideoAsset, VideoRendition


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class VideoRenditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = VideoRendition
        fields = ["name", "width", "height", "bandwidth", "segment_count"]


class CaptionTrackSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaptionTrack
        fields = ["language", "label", "created_at", "updated_at"]


class VideoAssetSerializer(serializers.ModelSerializer):
    owner = OwnerSerializer(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = VideoAsset
        fields = [
            "id",
            "title",
            "owner",
            "status",
            "status_display",
            "progress",
            "failure_reason",
            "original_filename",
            "content_type",
            "size_bytes",
            "checksum_sha256",
            "duration_seconds",
            "width",
            "height",
            "container",
            "video_codec",
            "audio_codec",
            "processing_attempts",
            "created_at",
            "updated_at",
            "processed_at",
        ]
        read_only_fields = fields


class VideoAssetDetailSerializer(VideoAssetSerializer):
    renditions = VideoRenditionSerializer(many=True, read_only=True)
    captions = CaptionTrackSerializer(many=True, read_only=True)

    class Meta(VideoAssetSerializer.Meta):
        fields = [*VideoAssetSerializer.Meta.fields, "renditions", "captions"]
        read_only_fields = fields


class VideoUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)


class UploadCreateSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=255, help_text="Original file name, e.g. a.mp4.")
    size_bytes = serializers.IntegerField(help_text="Exact size of the file in bytes.")
    content_type = serializers.CharField(max_length=100, help_text="e.g. `video/mp4`.")
    title = serializers.CharField(
        max_length=255, required=False, allow_blank=True, help_text="Defaults to the file name."
    )


class UploadPartSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    offset = serializers.IntegerField()
    size = serializers.IntegerField()
    url = serializers.URLField(help_text="PUT exactly `size` bytes of the file here.")


class UploadTargetsSerializer(serializers.Serializer):
    backend = serializers.ChoiceField(choices=VideoAsset.UploadBackend.choices)
    method = serializers.CharField()
    headers = serializers.DictField(
        child=serializers.CharField(), help_text="Headers to send with every PUT."
    )
    part_size = serializers.IntegerField()
    parts = UploadPartSerializer(many=True)
    expires_at = serializers.DateTimeField(help_text="When these URLs stop working.")


class UploadSerializer(serializers.Serializer):
    asset = VideoAssetSerializer()
    upload = UploadTargetsSerializer()


class UploadPartReceivedSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    received_bytes = serializers.IntegerField()


class CaptionUploadSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=35, help_text="BCP 47 tag, e.g. `en`, `pt-BR`.")
    label = serializers.CharField(max_length=100, required=False, allow_blank=True)
    file = serializers.FileField(required=False, help_text="A .vtt or .srt file (multipart).")
    content = serializers.CharField(
        required=False, trim_whitespace=False, help_text="WebVTT or SRT text (JSON clients)."
    )

    def validate(self, attrs):
        if bool(attrs.get("file")) == bool(attrs.get("content")):
            raise serializers.ValidationError(
                "Send either a caption file or its text content.", code="file_or_content"
            )
        return attrs


class PlaybackCaptionSerializer(serializers.Serializer):
    language = serializers.CharField()
    label = serializers.CharField()
    url = serializers.URLField()


class PlaybackSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField()
    title = serializers.CharField()
    duration_seconds = serializers.FloatField(allow_null=True)
    hls_url = serializers.URLField(help_text="Signed HLS master playlist URL.")
    poster_url = serializers.CharField(help_text="Signed poster JPEG URL (empty if none).")
    captions = PlaybackCaptionSerializer(many=True)
    expires_at = serializers.DateTimeField()
