"""Python tooling of the consent-aware customer segmentation warehouse."""
