package github

import (
	"context"
	"errors"
	"strings"

	gogithub "github.com/google/go-github/v60/github"
)

// WorkflowLogin is the login GitHub shows on what the workflow's own token
// (GITHUB_TOKEN) writes. That token may not call GET /user (403, "Resource
// not accessible by integration"), so its login is known, not asked for.
const WorkflowLogin = "github-actions[bot]"

// Login asks GitHub whom the client's token belongs to (GET /user) and
// returns the login: the author of what kubeready writes with a personal
// access token. An installation token, such as GITHUB_TOKEN, gets a 403.
func Login(ctx context.Context, c *gogithub.Client) (string, error) {
	u, _, err := c.Users.Get(ctx, "")
	if err != nil {
		return "", err
	}
	if u.GetLogin() == "" {
		return "", errors.New("GET /user answered without a login")
	}
	return u.GetLogin(), nil
}

// ownedBy reports whether login (empty: WorkflowLogin) wrote a comment by
// user. Logins compare as GitHub compares them, without regard to case.
// Only such comments are kubeready's: anyone who may comment can copy its
// markers.
func ownedBy(user *gogithub.User, login string) bool {
	if login == "" {
		login = WorkflowLogin
	}
	return user != nil && strings.EqualFold(user.GetLogin(), login)
}
