"""Inventory sources: the packages a lockfile or requirements file states.

One parser per format (one file each), the plug-in interface in
:mod:`.interface`, the built-ins listed in :mod:`.registry`, and
:class:`.source.LockfileSource` to read every lockfile under a path.
"""
