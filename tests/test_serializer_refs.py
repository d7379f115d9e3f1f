"""References to serializer classes (``index/serializer_refs.py``)."""

import ast
import textwrap

from tenantlint.index.serializer_refs import serializer_refs


def test_bases_meta_and_schema_arguments_are_no_uses() -> None:
    src = textwrap.dedent('''
        class ModuleCreateSerializer(BaseSerializer):
            pass

        class ModuleUpdateSerializer(ModuleCreateSerializer):
            class Meta(ModuleCreateSerializer.Meta):
                fields = ModuleCreateSerializer.Meta.fields + ["id"]

        @extend_schema(request=ModuleCreateSerializer, responses={201: ModuleCreateSerializer})
        def post(request, project_id):
            return ModuleCreateSerializer(data=request.data, context={"project_id": project_id})
    ''')
    found = serializer_refs(ast.parse(src))
    assert found["ModuleCreateSerializer"] == 1  # the construction only
    assert found["ModuleCreateSerializer>ModuleUpdateSerializer"] == 1
    assert "BaseSerializer>ModuleCreateSerializer" in found
    assert "ModuleUpdateSerializer" not in found


def test_serializer_class_and_odd_subclasses_are_uses() -> None:
    src = textwrap.dedent('''
        class View(APIView):
            serializer_class = ItemSerializer

        class Special(ItemSerializer):
            pass

        nested = serializers.ItemSerializer(read_only=True)
    ''')
    assert serializer_refs(ast.parse(src)) == {"ItemSerializer": 3}
