"""The recording day at the kecamatan: check-in queue, perekaman desk, downtime, closing."""
