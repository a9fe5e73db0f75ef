"""The MkDocs plugin: the only layer that imports MkDocs or touches its private parts."""
