"""Les appareils de double authentification dans l'administration : les pages de django-otp, aux identifiants
bornés (`<id:pk>`) et qui répondent 404, pas 500, à un appareil inexistant."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


class AppareilTOTPAdmin(TOTPDeviceAdmin):
    def get_urls(self):
        propres = {"otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"}
        return [
            path(
                "<id:pk>/config/",
                self.admin_site.admin_view(self.config_view),
                name="otp_totp_totpdevice_config",
            ),
            path(
                "<id:pk>/qrcode/",
                self.admin_site.admin_view(self.qrcode_view),
                name="otp_totp_totpdevice_qrcode",
            ),
        ] + [url for url in super().get_urls() if getattr(url, "name", None) not in propres]

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AppareilTOTPAdmin)
