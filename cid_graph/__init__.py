"""CID Graph: the semantic layer and dashboard behind the Nordic Customer Insights Dashboard.

The application shell. Other packages may import only its kernel: :mod:`cid_graph.settings`
and :mod:`cid_graph.errors`.
"""

__version__ = "0.1.0"
