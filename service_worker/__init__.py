"""The service worker source, shipped as package data and served at /sw.js."""
