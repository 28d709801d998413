"""Test helpers of the framework: the persona × route scope check (`routes`, `scopecheck`)."""
