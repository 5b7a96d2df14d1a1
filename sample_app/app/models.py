"""Every ORM model, imported once: Alembic and the mappers need the complete metadata."""

from app.auth.models import RefreshToken
from app.core.models import Base
from app.core.rate_limit import RateLimitCounter
from app.projects.models import MemberRole, Project, ProjectMember
from app.tasks.models import Tag, Task, TaskStatus, task_tags
from app.users.models import User, UserRole

__all__ = [
    "Base",
    "MemberRole",
    "Project",
    "ProjectMember",
    "RateLimitCounter",
    "RefreshToken",
    "Tag",
    "Task",
    "TaskStatus",
    "User",
    "UserRole",
    "task_tags",
]
