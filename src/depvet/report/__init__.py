"""Reporters: turn the results of a scan into text for people and for tools.

:mod:`depvet.report.interface` defines the :class:`~depvet.report.interface.Report`
every reporter renders and the ``Reporter`` protocol; one module per format
(``table``, ``json``, ``sarif``) implements it; :mod:`depvet.report.registry`
lists the built-ins and finds third-party formats by entry point.
"""
