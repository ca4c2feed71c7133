def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Sign in" in response.get_data(as_text=True)


def test_pages_require_login(client):
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
