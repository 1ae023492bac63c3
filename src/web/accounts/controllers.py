"""Sign-up, sign-in, sign-out and password reset: HTML pages and JSON API."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from msgspec import Struct

from matching.accounts import services
from matching.errors import DomainError
from web.api_errors import document_errors
from web.auth import LANGUAGE_COOKIE, account_of, requires_login, sign_in
from web.forms import form_data, form_errors, render_form
from web.ratelimit import client_address, hit
from web.sessions import rotate_session, session_was_ended


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


async def _limit(request: Request, bucket: str) -> None:
    settings = request.app.state.settings
    await hit(
        request.app.stores.get("ratelimit"),
        bucket,
        client_address(request, settings.trusted_proxies),
        limit=settings.login_attempts_per_minute,
    )


class AccountPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/login")
    async def login_page(
        self,
        request: Request,
        next: FromQuery[str | None] = None,
        ended: FromQuery[str | None] = None,
    ) -> Template:
        return render_form(
            "accounts/login.html",
            values={"next": _safe_next(next)},
            errors={},
            ended=bool(ended) or session_was_ended(request),
        )

    @post("/login")
    async def login(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        values = {"email": data.get("email", ""), "next": _safe_next(data.get("next"))}
        try:
            await _limit(request, "login")
        except DomainError as exc:
            response = render_form("accounts/login.html", values=values, errors=form_errors(exc))
            response.status_code = exc.status_code
            return response
        account = await services.authenticate(
            str(data.get("email", "")), str(data.get("password", ""))
        )
        if account is None:
            return render_form(
                "accounts/login.html",
                values=values,
                errors={"__all__": "Wrong email or password."},
            )
        sign_in(request, account)
        return Redirect(values["next"])

    @post("/logout", guards=[requires_login])
    async def logout(self, request: Request) -> Redirect:
        rotate_session(request)
        request.clear_session()
        return Redirect("/login")

    @get("/account/password", guards=[requires_login])
    async def password_page(self) -> Template:
        return render_form("accounts/password.html", values={}, errors={})

    @post("/account/password", guards=[requires_login])
    async def change_password(self, request: Request) -> Template:
        """A new password ends every other session; this one continues under a new id."""
        data = await form_data(request)
        account = account_of(request)
        assert account is not None
        try:
            await _limit(request, "password_change")
            changed = await services.change_password(
                account, str(data.get("current_password", "")), str(data.get("password", ""))
            )
        except DomainError as exc:
            response = render_form("accounts/password.html", values={}, errors=form_errors(exc))
            response.status_code = exc.status_code
            return response
        sign_in(request, changed)
        return render_form("accounts/password.html", values={}, errors={}, changed=True)

    @get("/signup")
    async def signup_page(self, request: Request) -> Template:
        return render_form("accounts/signup.html", values={}, errors={})

    @post("/signup")
    async def signup(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        values = {k: data.get(k, "") for k in ("email", "full_name", "language")}
        try:
            await _limit(request, "signup")
        except DomainError as exc:
            response = render_form("accounts/signup.html", values=values, errors=form_errors(exc))
            response.status_code = exc.status_code
            return response
        try:
            account = await services.sign_up_doctor(
                email=str(data.get("email", "")),
                full_name=str(data.get("full_name", "")),
                password=str(data.get("password", "")),
                language=str(data.get("language") or request.scope["state"]["language"]),
            )
        except DomainError as exc:
            return render_form("accounts/signup.html", values=values, errors=form_errors(exc))
        sign_in(request, account)
        return Redirect("/")

    @get("/password/forgot")
    async def forgot_page(self) -> Template:
        return render_form("accounts/forgot.html", values={}, errors={})

    @post("/password/forgot")
    async def forgot(self, request: Request) -> Template:
        data = await form_data(request)
        try:
            await _limit(request, "password_reset")
        except DomainError as exc:
            response = render_form("accounts/forgot.html", values=data, errors=form_errors(exc))
            response.status_code = exc.status_code
            return response
        await services.request_password_reset(
            str(data.get("email", "")), base_url=request.app.state.settings.base_url
        )
        return render_form("accounts/forgot.html", values={}, errors={}, sent=True)

    @get("/password/reset/{token:str}")
    async def reset_page(self, token: FromPath[str]) -> Template:
        return render_form("accounts/reset.html", values={}, errors={}, token=token)

    @post("/password/reset/{token:str}")
    async def reset(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        data = await form_data(request)
        try:
            await _limit(request, "password_reset")
            account = await services.reset_password(token, str(data.get("password", "")))
        except DomainError as exc:
            response = render_form(
                "accounts/reset.html", values={}, errors=form_errors(exc), token=token
            )
            response.status_code = exc.status_code
            return response
        sign_in(request, account)
        return Redirect("/")

    @post("/language")
    async def switch_language(self, request: Request) -> Redirect:
        data = await form_data(request)
        language = str(data.get("language", ""))
        account = account_of(request)
        if account is not None:
            await services.set_language(account, language)
        response = Redirect(_safe_next(str(data.get("next", "/"))))
        if language in ("en", "ar"):
            response.cookies.append(
                Cookie(key=LANGUAGE_COOKIE, value=language, max_age=365 * 86400, samesite="lax")
            )
        return response


class LoginBody(Struct):
    email: str
    password: str


class AccountOut(Struct):
    id: int
    email: str
    full_name: str
    role: str
    language: str
    timezone: str


def _account_out(account: services.Account) -> AccountOut:
    return AccountOut(
        id=account.id,
        email=account.email,
        full_name=account.full_name,
        role=account.role.value,
        language=account.language,
        timezone=account.timezone,
    )


@document_errors(rate_limited=True)
class SessionApi(Controller):
    """Cookie sessions for API clients (the same session as the pages)."""

    path = "/api/session"
    tags = ["session"]

    @post("/", status_code=200, summary="Sign in")
    async def create(self, request: Request, data: JSONBody[LoginBody]) -> AccountOut:
        await _limit(request, "login")
        account = await services.authenticate(data.email, data.password)
        if account is None:
            raise DomainError("wrong email or password", field="password")
        sign_in(request, account)
        return _account_out(account)

    @get("/", guards=[requires_login], summary="The signed-in account")
    async def show(self, request: Request) -> AccountOut:
        account = account_of(request)
        assert account is not None
        return _account_out(account)

    @post("/logout", status_code=204, guards=[requires_login], summary="Sign out")
    async def delete(self, request: Request) -> None:
        rotate_session(request)
        request.clear_session()


class SignupBody(Struct):
    email: str
    full_name: str
    password: str
    language: str = "en"


@document_errors(rate_limited=True)
class SignupApi(Controller):
    path = "/api/doctors/signup"
    tags = ["session"]

    @post("/", status_code=201, summary="Sign up as a doctor")
    async def create(self, request: Request, data: JSONBody[SignupBody]) -> AccountOut:
        await _limit(request, "signup")
        account = await services.sign_up_doctor(
            email=data.email,
            full_name=data.full_name,
            password=data.password,
            language=data.language,
        )
        sign_in(request, account)
        return _account_out(account)
