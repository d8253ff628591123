"""The bundled example data, generated from a seed: the community attitudes survey
(``community``) and the rest of the results framework's instruments (``framework``)."""
