"""Stop bad releases before they install: check, install, and the vetting they share."""
