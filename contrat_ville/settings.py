"""Réglages du projet, lus dans l'environnement avec des valeurs par défaut sûres."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Le mode production (PRODUCTION=1) impose un vrai secret et durcit cookies, HTTPS et en-têtes.
PRODUCTION = env_bool("PRODUCTION", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY doit être défini en production.")
    SECRET_KEY = "dev-uniquement-" + "x" * 50  # noqa: S105 - clé de développement, refusée en production

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # codes de secours, si le téléphone est perdu
    # Du socle vers le haut : chaque application n'importe que celles qui la précèdent.
    "noyau",
    "journal",
    "comptes",
    "contrat_ville",
    "indicateurs",
    "fcs",
    "programmation",
    "conventions",
    "avis",
    "rapport",
    "exploitation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "comptes.sessions.MiddlewareProlongationSession",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "comptes.double_facteur.MiddlewareDoubleFacteur",
    "journal.audit.MiddlewareAudit",
    "comptes.securite.MiddlewareAccesRefuses",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Une tentative de connexion freinée (comptes.securite) devient une réponse 429 en français.
    "comptes.securite.MiddlewareFreinConnexion",
]

ROOT_URLCONF = "contrat_ville.urls"
WSGI_APPLICATION = "contrat_ville.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
            "builtins": ["noyau.templatetags.nombres"],
        },
    },
]

# SQLite embarqué par défaut ; PostgreSQL en production et en CI via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",  # vide = non défini
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Frein des connexions (comptes.securite) : par couple (compte, adresse), 5 échecs libres puis un délai qui double
# (30 s, 1 min, 2 min… jusqu'à 15 min) ; par adresse, 50 échecs tous comptes confondus ; jamais de verrou du compte,
# qu'un inconnu pourrait déclencher : au-delà de 20 échecs en une heure, le service est alerté par courriel.
AUTHENTICATION_BACKENDS = [
    "comptes.securite.FreinConnexionBackend",
    "comptes.permissions.PermissionsEnUneRequete",
]
CONNEXION_ESSAIS_LIBRES = int(os.environ.get("CONNEXION_ESSAIS_LIBRES", "5"))
CONNEXION_DELAI_INITIAL = datetime.timedelta(seconds=30)
CONNEXION_DELAI_MAX = datetime.timedelta(minutes=15)
CONNEXION_LIMITE_ADRESSE = int(os.environ.get("CONNEXION_LIMITE_ADRESSE", "50"))
CONNEXION_DELAI_ADRESSE = datetime.timedelta(minutes=15)
CONNEXION_ALERTE_COMPTE = int(os.environ.get("CONNEXION_ALERTE_COMPTE", "20"))
CONNEXION_FENETRE = datetime.timedelta(hours=1)
COURRIEL_ALERTES_SECURITE = os.environ.get("COURRIEL_ALERTES_SECURITE", "")  # vide : DEFAULT_FROM_EMAIL

# Adresse réelle du client derrière un proxy inverse (journal d'audit, frein des connexions) : l'en-tête
# ADRESSE_CLIENT_ENTETE (ex. « X-Forwarded-For ») n'est cru que pour une requête venue d'une adresse de
# PROXYS_DE_CONFIANCE (liste séparée par des virgules). Sans ces réglages : REMOTE_ADDR.
ADRESSE_CLIENT_ENTETE = os.environ.get("ADRESSE_CLIENT_ENTETE", "")
PROXYS_DE_CONFIANCE = [a.strip() for a in os.environ.get("PROXYS_DE_CONFIANCE", "").split(",") if a.strip()]


# Double authentification (TOTP) : possible pour tout compte interne, obligatoire pour la direction et les agents
# quand OTP_OBLIGATOIRE=1 (recommandé en production).
OTP_OBLIGATOIRE = env_bool("OTP_OBLIGATOIRE", PRODUCTION)
OTP_TOTP_ISSUER = "Politique de la Ville"

LOGIN_URL = "/connexion/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/connexion/"

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Les fichiers déposés (délibérations, rapports approuvés) ne sont jamais servis par une URL publique :
# seules des vues qui contrôlent les droits les lisent.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Cache partagé par les processus d'un même serveur (fichiers sous VAR_DIR) : il garde le référentiel que lisent
# les filtres et la carte du tableau de bord (contrat_ville.selectors.referentiel). Plusieurs serveurs : un cache
# commun (Redis, Memcached) par CACHE_URL… à brancher le jour où il y en aura plus d'un.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
CACHE_REFERENTIEL_SECONDES = int(os.environ.get("CACHE_REFERENTIEL_SECONDES", "300"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 26_214_400
FILE_UPLOAD_PERMISSIONS = 0o640

# Courriels par l'API de Django (MAILERS, Django 6.1) : fichiers dans var/courriels en développement,
# SMTP en production (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend et EMAIL_HOST…).
EMAIL_BACKEND_CHOISI = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
if EMAIL_BACKEND_CHOISI.endswith("filebased.EmailBackend"):
    OPTIONS_COURRIEL = {"file_path": str(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "courriels"))}
elif EMAIL_BACKEND_CHOISI.endswith("smtp.EmailBackend"):
    OPTIONS_COURRIEL = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 20,
    }
else:
    OPTIONS_COURRIEL = {}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_CHOISI, "OPTIONS": OPTIONS_COURRIEL}}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Politique de la Ville <politique-ville@agglo.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Adresse du service, donnée aux utilisateurs sur les pages d'erreur.
CONTACT_SERVICE = os.environ.get("CONTACT_SERVICE", "politique-ville@agglo.example")
CSRF_FAILURE_VIEW = "noyau.erreurs.echec_csrf"
# Adresse publique du site, pour les liens envoyés par courriel.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# SIRET de l'agglomération, attribuant des subventions publiées en open data (SCDL « subventions », idAttribuant).
SIRET_ATTRIBUANT = os.environ.get("SIRET_ATTRIBUANT", "").replace(" ", "")

SESSION_COOKIE_HTTPONLY = True
# Inactivité : la session expire SESSION_COOKIE_AGE secondes après la dernière requête, à RENOUVELLEMENT_SESSION
# près (comptes.sessions : l'échéance est repoussée au plus une fois par minute, pas à chaque requête), et à la
# fermeture du navigateur.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
RENOUVELLEMENT_SESSION = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Politique de sécurité du contenu (celle de Django 6), appliquée à toutes les pages, l'admin comprise : aucun
# script ni style venu d'ailleurs ou écrit dans la page, pas d'objet, pas de <base>, pas d'encadrement.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

if PRODUCTION:
    DEBUG = False
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"simple": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "securite": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Bibliothèques
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
WEASYPRINT_TIMEOUT = float(os.environ.get("WEASYPRINT_TIMEOUT", "60"))
