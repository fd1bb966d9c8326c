"""How ``data/`` is made: ``python -m atlas.build`` (``make data``) runs the steps of `atlas.build.pipeline`.

Python here is logic only; what was decided by hand (places, name mappings, sources, key figures,
boundary lists, Wikipedia resolution decisions ...) is in ``curation/``, described in its README.
``tests/test_build.py`` checks that a rebuild reproduces the committed ``data/`` byte for byte.
"""
