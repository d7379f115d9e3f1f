"""View properties returning URL parameters (``index/view_properties.py``)."""

import ast
import textwrap

from tenantlint.index.view_properties import kwarg_properties


def _read(src: str) -> dict[str, str]:
    return kwarg_properties("app/views/base.py", ast.parse(textwrap.dedent(src)))


def test_fallback_property_lists_parameters_in_source_order() -> None:
    found = _read('''
        class BaseView(APIView):
            @property
            def project_id(self):
                project_id = self.kwargs.get("project_id", None)
                if project_id:
                    return project_id
                if resolve(self.request.path_info).url_name == "project":
                    return self.kwargs.get("pk", None)

            @cached_property
            def workspace_slug(self):
                return self.kwargs["slug"]
    ''')
    assert found == {"app.views.base.BaseView.project_id": "project_id,pk",
                     "app.views.base.BaseView.workspace_slug": "slug"}


def test_property_returning_other_values_is_not_read() -> None:
    found = _read('''
        class BaseView(APIView):
            @property
            def project_id(self):
                if self.kwargs.get("pk"):
                    return self.kwargs.get("pk")
                return self.request.query_params.get("project")

            def slug(self):
                return self.kwargs.get("slug")
    ''')
    assert found == {}
