#!/usr/bin/env bash
# Regenerates OnnxProto.g.cs from onnx.proto3 (the ONNX schema, onnx/onnx.proto3 of github.com/onnx/onnx, with a
# csharp_namespace option added) with protoc from the Google.Protobuf.Tools package. The classes are internal: the
# runtime's public API is OnnxModel, not the protobuf messages.
#   dotnet restore a project that references Google.Protobuf.Tools 3.36.2, then: bash generate.sh
set -euo pipefail
cd "$(dirname "$0")"
tools="${NUGET_PACKAGES:-$HOME/.nuget/packages}/google.protobuf.tools/3.36.2/tools"
"$tools/linux_x64/protoc" --proto_path=. --csharp_out=. --csharp_opt=internal_access,file_extension=.g.cs onnx.proto3
mv Onnx.g.cs OnnxProto.g.cs
