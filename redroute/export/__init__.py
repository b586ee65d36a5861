"""Outputs of an itinerary: the terminal schedule, HTML map, website embeds, GPX, GeoJSON
and printable leaflets.

One module per output; they read an :class:`~redroute.itinerary.Itinerary` and know nothing
of routing.
"""
