"""Thin setup.py: maps the repo's two source trees into the ``ckanext`` namespace.

The extension lives in ``ckanext-osnabrueck/`` and the harvesters in ``harvesters/``
(the design card fixes that layout), so the packages need an explicit package_dir.
Everything else is declared in pyproject.toml.
"""
from setuptools import find_namespace_packages, setup

SOURCES = {
    "ckanext.osnabrueck": "ckanext-osnabrueck/ckanext/osnabrueck",
    "ckanext.osnabrueck_harvesters": "harvesters/ckanext/osnabrueck_harvesters",
}
DATA = ["*.yaml", "*.yml", "*.json", "*.ini", "*.mako", "*.html", "*.css", "*.js", "*.svg", "*.png",
        "*.po", "*.pot", "*.mo", "*.csv", "*.geojson", "*.ttl", "*.txt", "*.xml", "*.md"]


def _packages():
    packages, package_dir = [], {}
    for name, path in SOURCES.items():
        package_dir[name] = path
        subs = find_namespace_packages(path, exclude=["*__pycache__*"])
        packages += [name] + [f"{name}.{sub}" for sub in subs]
        package_dir.update({f"{name}.{sub}": f"{path}/{sub.replace('.', '/')}" for sub in subs})
    return packages, package_dir


packages, package_dir = _packages()
setup(
    packages=packages,
    package_dir=package_dir,
    package_data={name: DATA for name in packages},
)
