"""Noms des rôles (groupes Django) du produit ; leurs permissions sont posées par une migration."""

AGENT = "Agent"
DIRECTEUR = "Directeur"
SERVICE_COMMUNE = "Service commune"
CONSEIL_CITOYEN = "Conseil citoyen"
AUDITEUR = "Auditeur"

ROLES_INTERNES = (AGENT, DIRECTEUR, AUDITEUR)
ROLES_PORTAIL = (SERVICE_COMMUNE, CONSEIL_CITOYEN)
