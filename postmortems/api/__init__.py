"""The REST API under /api/v1/: serializers validate and shape, views call services."""
