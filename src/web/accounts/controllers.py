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
from web.auth import LANGUAGE_COOKIE, SESSION_USER_KEY, account_of, requires_login
from web.forms import form_data, form_errors, render_form
from web.home import role_home
from web.ratelimit import client_address, hit
from web.sessions import rotate_session


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


def _sign_in(request: Request, account: services.Account) -> None:
    rotate_session(request)
    request.set_session({SESSION_USER_KEY: account.id})


class AccountPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return render_form("accounts/login.html", values={"next": _safe_next(next)}, errors={})

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
        _sign_in(request, account)
        home = role_home(request, account.role.value)
        return Redirect(values["next"] if values["next"] != "/" else home)

    @post("/logout", guards=[requires_login])
    async def logout(self, request: Request) -> Redirect:
        rotate_session(request)
        request.clear_session()
        return Redirect("/login")

    @get("/signup")
    async def signup_page(self, request: Request) -> Template:
        return render_form("accounts/signup.html", values={}, errors={})

    @post("/signup")
    async def signup(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        values = {k: data.get(k, "") for k in ("email", "full_name", "language")}
        try:
            account = await services.sign_up_doctor(
                email=str(data.get("email", "")),
                full_name=str(data.get("full_name", "")),
                password=str(data.get("password", "")),
                language=str(data.get("language") or request.scope["state"]["language"]),
            )
        except DomainError as exc:
            return render_form("accounts/signup.html", values=values, errors=form_errors(exc))
        _sign_in(request, account)
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
        _sign_in(request, account)
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
        _sign_in(request, account)
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
        account = await services.sign_up_doctor(
            email=data.email,
            full_name=data.full_name,
            password=data.password,
            language=data.language,
        )
        _sign_in(request, account)
        return _account_out(account)
