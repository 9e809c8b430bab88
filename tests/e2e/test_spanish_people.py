"""Your people in Spanish, in a real Chromium whose language is Spanish: the
people pages and the copy kept on the phone (drawn by people.js and
person-card.js from the snapshot) show no English, and the offline editor
says what to fix, and what it did, in Spanish."""

from __future__ import annotations

from playwright.sync_api import expect
from test_spanish import assert_spanish, english_on
from test_toolkit_accounts import unique_email, user_id, wait_kv


def test_your_people_and_their_offline_copy_in_spanish(server, new_context, axe):
    context = new_context(locale="es-ES", timezone_id="Europe/Madrid")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(server.url + "/register")
    page.get_by_label("Correo electrónico", exact=True).fill(unique_email("es-people"))
    page.get_by_label("Elige una contraseña", exact=True).fill("correct horse battery staple")
    with page.expect_navigation():
        page.get_by_role("button", name="Crear cuenta").click()

    page.goto(server.url + "/people/new")
    assert_spanish(page, axe, "add a person")
    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Quién es para ti").select_option(label="Amigo o amiga")
    page.get_by_label("Número de teléfono").fill("+34 612 345 678")
    page.get_by_label("Le parece bien recibir mensajes de texto").check()
    page.get_by_label("Fijar como una de mis personas").check()
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Lucía se ha guardado")).to_be_visible()

    page.goto(server.url + "/people/groups/new")
    page.get_by_label("Nombre del grupo").fill("Grupo del martes")
    page.get_by_label("Día de reunión").select_option(label="martes")
    page.get_by_label("Hora de inicio").fill("19:30")
    page.get_by_role("button", name="Guardar el grupo").click()
    expect(page.get_by_role("status").filter(has_text="Grupo del martes se ha guardado")).to_be_visible()
    assert_spanish(page, axe, "groups")

    page.goto(server.url + "/people")
    assert_spanish(page, axe, "your people")
    wait_kv(
        page,
        f"user:{user_id(page)}:snapshot",
        "(s) => s && s.people && s.people.contacts.length === 1 && s.people.groups.length === 1",
    )

    page.goto(server.url + "/my/people")
    mine = page.locator('[data-page="my-people"]')
    expect(mine.get_by_role("link", name="Llamar a Lucía")).to_be_visible()
    expect(mine.locator('[data-list="groups"]')).to_contain_text("Los martes a las 19:30")
    expect(mine.locator("[data-fetched]")).to_contain_text("Actualizado por última vez")
    assert_spanish(page, axe, "the copy on this phone")

    mine.get_by_role("button", name="Editar Lucía").click()
    editor = page.locator("[data-offline-edit]")
    expect(editor).to_be_visible()
    page.get_by_label("Nombre", exact=True).fill("")
    editor.get_by_role("button", name="Guardar los cambios").click()
    expect(editor.get_by_role("alert")).to_contain_text("Escribe su nombre.")
    page.get_by_label("Nombre", exact=True).fill("Lucía M.")
    editor.get_by_role("button", name="Guardar los cambios").click()
    expect(page.get_by_role("status").filter(has_text="Los datos de Lucía M. están guardados")).to_be_visible()
    mine.get_by_role("button", name="Contacté con Lucía M.").click()
    expect(page.get_by_role("status").filter(has_text="Anotado: hoy conectaste con Lucía M.")).to_be_visible()
    assert english_on(page) == []
    assert errors == []
